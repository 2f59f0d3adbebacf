"""The HTTP side: the Flask app factory and the flask-smorest API under /api/v1."""
