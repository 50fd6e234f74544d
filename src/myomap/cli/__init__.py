"""The `myomap` command line. Subcommands that need Django import it lazily, so the
knowledge-base and reasoning commands start fast."""
