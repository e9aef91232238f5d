"""Google: OAuth (consent with state and PKCE, token refresh and revocation) and the Calendar API
client. Knows nothing of our database: the service layer hands it credentials and stores results."""
