"""The workflow's one write path: rules, their firings, the event cursor, webhooks."""
