"""The JSON shape of each resource, defined once as a pydantic model (one module per resource):
the REST API answers with these models and the CLI's `--json` prints `model_dump(mode="json")`
of the same ones, so the two cannot drift apart."""
