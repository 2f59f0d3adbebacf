"""Test harness: real servers started on free ports."""
