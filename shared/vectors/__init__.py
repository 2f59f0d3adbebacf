"""Vectors: Qdrant collections, embedders, semantic search and the AI pipeline steps."""
