"""The REST API, one module per resource: each declares its `APIRouter` at module level (prefix,
tags, the shared error answers) and answers its response models; `api/app.py` registers them."""
