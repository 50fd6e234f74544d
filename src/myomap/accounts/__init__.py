"""People who use Myomap: therapists, clinic admins and (later) clients."""
