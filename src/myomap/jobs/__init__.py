"""Background jobs: a ledger of jobs in the database (`Job`: what, for which clinic, when,
how many attempts, the last error) delivered by a real queue (Huey, `queue.py`).

The ledger is the truth and the queue only delivers: a job is written in the same
transaction as the change that asks for it (`actions.schedule`), handed to the queue once
that transaction commits, and claimed with one conditional UPDATE before it runs
(`runner.run`), so a delivery twice (two workers, a sweep after a restart) runs it once.
See docs/jobs.md."""
