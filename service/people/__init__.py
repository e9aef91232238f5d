"""Use cases of the network: contacts and their import, the one-pass assessment, the gaps per
aspiration, the next list."""
