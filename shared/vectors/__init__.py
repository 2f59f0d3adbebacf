"""Vectors: Qdrant collections, embedders, semantic search and the AI pipeline steps."""

# The slice's pipeline steps, imported on first use (the registry's lazy table form).
PLUGINS: dict[str, str] = {
    "AI_Models.embed": "shared.vectors.plugins:Embed",
    "AI_Models.llm": "shared.vectors.llm:LanguageModel",
    "Output.vector_store": "shared.vectors.plugins:VectorStoreOutput",
    "Input.vector_search": "shared.vectors.plugins:VectorSearch",
}
