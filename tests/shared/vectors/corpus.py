"""A small corpus whose nearest documents for each query are known."""

from __future__ import annotations

DOCUMENTS = {
    "cats": "The cat sat on the warm mat and purred at the kitten.",
    "stocks": "Stock markets fell sharply as investors sold bank shares.",
    "cake": "Bake the lemon cake for forty minutes, then add the lemon icing.",
    "rockets": "The rocket launch was delayed by strong winds at the launch pad.",
    "python": "Python programs use indentation; the interpreter reads each module.",
    "garden": "Water the tomato plants in the garden every morning in summer.",
}

# Query -> the document that shares the most words and word pieces with it (hashing embedder).
LEXICAL_QUERIES = {
    "lemon cake icing": "cake",
    "a kitten on the mat": "cats",
    "bank shares and stock markets": "stocks",
    "rocket launch pad winds": "rockets",
    "python interpreter indentation": "python",
    "tomato plants garden": "garden",
}

# Query -> the document that means the same with other words (the sentence embedder).
PARAPHRASE_QUERIES = {
    "a dessert made with citrus fruit": "cake",
    "equity prices dropped": "stocks",
    "a spacecraft lift-off was postponed": "rockets",
}
