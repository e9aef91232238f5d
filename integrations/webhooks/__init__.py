"""Webhooks: POSTing a signed JSON body to a person's URL, refusing private addresses."""
