"""The only Prefect code: task wrappers, flows that chain stages, artifacts, schedules, the CLI."""
