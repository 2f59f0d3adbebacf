"""What the API shows: plain-text views, the Prometheus exposition, the monitoring summary and the settings
document. The domain hands over values; how they look to a client is decided here."""
