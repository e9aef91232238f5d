"""The network: contacts and when two records are one person, the network assessment and its gaps
per aspiration, closeness, offers of help, the next list and its answers, meeting briefs and
nudges."""
