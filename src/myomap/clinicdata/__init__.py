"""The clinic's data pages (/accounts/clinic/data/), a clinic admin's: the FHIR Bundle of
the whole clinic or of one client, the CSV export as one .zip, the clinic's retention
minimum and the erasure of a client on request. Every action is the one the command line
runs (`interop.ops`, `erasure.actions`); the views only read the form and show the answer.
See docs/interop.md and docs/erasure.md."""
