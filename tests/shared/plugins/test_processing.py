from __future__ import annotations

from typing import Any

import pytest

from shared.errors import PluginError
from tests.shared.plugins.steps import config_problems, run_step

SALES = {
    "columns": ["region", "amount", "customer"],
    "rows": [
        {"region": "north", "amount": 10, "customer": {"name": "Ann", "city": {"name": "Oslo"}}},
        {"region": "south", "amount": 5, "customer": {"name": "Bo", "city": {"name": "Rome"}}},
        {"region": "north", "amount": 2.5, "customer": {"name": "Cy", "city": {"name": "Oslo"}}},
        {"region": "south", "amount": None, "customer": {"name": "Di", "city": {"name": "Nice"}}},
    ],
}


def transform(operations: list[dict[str, Any]], table: Any = SALES) -> Any:
    return run_step(
        "Data_Processing.transform",
        {"input": "sales", "operations": operations},
        values={"sales": table},
    )


def test_filter_aggregate_and_sort_in_order() -> None:
    result = transform(
        [
            {"filter": {"column": "amount", "op": ">", "value": 0}},
            {
                "aggregate": {
                    "group_by": ["region"],
                    "metrics": [
                        {"column": "amount", "func": "sum", "as": "total"},
                        {"func": "count", "as": "orders"},
                        {"column": "amount", "func": "avg"},
                        {"column": "amount", "func": "min"},
                        {"column": "amount", "func": "max"},
                    ],
                }
            },
            {"sort": {"by": "total", "descending": True}},
        ]
    )
    assert result == {
        "columns": ["region", "total", "orders", "avg_amount", "min_amount", "max_amount"],
        "rows": [
            {
                "region": "north",
                "total": 12.5,
                "orders": 2,
                "avg_amount": 6.25,
                "min_amount": 2.5,
                "max_amount": 10,
            },
            {"region": "south", "total": 5, "orders": 1, "avg_amount": 5.0, "min_amount": 5, "max_amount": 5},
        ],
    }


def test_select_rename_flatten_map_and_limit() -> None:
    result = transform(
        [
            {"flatten": {"column": "customer"}},
            {"select": ["customer.name", "customer.city.name", "amount"]},
            {"rename": {"customer.name": "name", "customer.city.name": "city"}},
            {"map": {"column": "city", "expression": "upper"}},
            {"map": {"column": "amount", "to": "cents", "expression": {"multiply": 100}}},
            {"map": {"to": "label", "expression": {"concat": ["name", " @ ", "city"]}}},
            {"limit": 2},
        ]
    )
    assert result["columns"] == ["name", "city", "amount", "cents", "label"]
    assert result["rows"] == [
        {"name": "Ann", "city": "OSLO", "amount": 10, "cents": 1000, "label": "Ann @ OSLO"},
        {"name": "Bo", "city": "ROME", "amount": 5, "cents": 500, "label": "Bo @ ROME"},
    ]


def test_filter_operators_and_null_handling() -> None:
    def regions(condition: dict[str, Any]) -> list[Any]:
        return [row["amount"] for row in transform([{"filter": condition}])["rows"]]

    assert regions({"column": "amount", "op": "is_null"}) == [None]
    assert regions({"column": "amount", "op": "not_null"}) == [10, 5, 2.5]
    assert regions({"column": "amount", "op": "in", "value": [5, 10]}) == [10, 5]
    assert regions({"column": "region", "op": "startswith", "value": "so"}) == [5, None]
    assert regions({"column": "amount", "op": "<", "value": 6}) == [5, 2.5]


def test_sort_puts_nulls_last_both_ways() -> None:
    ascending = transform([{"sort": {"by": "amount"}}])["rows"]
    descending = transform([{"sort": {"by": ["amount"], "descending": True}}])["rows"]
    assert [r["amount"] for r in ascending] == [2.5, 5, 10, None]
    assert [r["amount"] for r in descending] == [10, 5, 2.5, None]


def test_unknown_column_is_named_with_its_operation() -> None:
    with pytest.raises(PluginError, match=r"operations\[1\].select: unknown column 'amout'"):
        transform([{"sort": {"by": "amount"}}, {"select": ["amout"]}])


def test_sum_of_text_is_a_clear_error() -> None:
    with pytest.raises(PluginError, match="sum of column 'region': 'north' is not a number"):
        transform([{"aggregate": {"metrics": [{"column": "region", "func": "sum"}]}}])


def test_transform_config_typos_are_located() -> None:
    problems = config_problems(
        "Data_Processing.transform",
        {"input": "x", "operations": [{"select": ["a"]}, {"filtr": {"column": "a", "op": "=="}}]},
    )
    assert problems and all(p.startswith("config.operations[1]") for p in problems)
    assert config_problems("Data_Processing.transform", {"operations": []}) == [
        "config: 'input' is a required property"
    ]


def test_input_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(PluginError, match="config.input is not a table"):
        transform([{"limit": 1}], table="just text")


PEOPLE = {
    "columns": ["name", "age", "email"],
    "rows": [
        {"name": "Ann", "age": 34, "email": "ann@example.com"},
        {"name": None, "age": 200, "email": "bo-at-example"},
        {"name": "Cy", "age": "old", "email": "cy@example.com"},
    ],
}
RULES = {
    "name": {"required": True, "type": "string"},
    "age": {"type": "integer", "min": 0, "max": 150},
    "email": {"pattern": r"[^@]+@[^@]+"},
}


def validate(on_error: str) -> Any:
    return run_step(
        "Data_Processing.validate",
        {"input": "people", "rules": RULES, "on_error": on_error},
        values={"people": PEOPLE},
    )


def test_validate_reports_every_broken_rule_with_row_and_column() -> None:
    report = validate("report")
    assert report["valid"] is False
    assert report["checked"] == 3
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (2, "name"),
        (2, "age"),
        (2, "email"),
        (3, "age"),
    ]
    assert report["errors"][1]["message"] == "200 is above the maximum 150"
    assert report["table"] == PEOPLE


def test_validate_drop_keeps_only_valid_rows_and_fail_raises() -> None:
    assert validate("drop")["table"]["rows"] == [PEOPLE["rows"][0]]
    with pytest.raises(PluginError, match="4 validation error\\(s\\): row 2, column name: is required"):
        validate("fail")


def test_validate_schema_refuses_unknown_rule() -> None:
    problems = config_problems("Data_Processing.validate", {"input": "p", "rules": {"age": {"minimum": 1}}})
    assert problems == ["config.rules.age: Additional properties are not allowed ('minimum' was unexpected)"]


DUPLICATES = {
    "columns": ["id", "value"],
    "rows": [
        {"id": 1, "value": "a"},
        {"id": 1, "value": "a"},
        {"id": 1, "value": "b"},
        {"id": 2, "value": "c"},
    ],
}


def deduplicate(**config: Any) -> Any:
    return run_step("Data_Processing.deduplicate", {"input": "t", **config}, values={"t": DUPLICATES})["rows"]


def test_deduplicate_exact_and_by_key_keeping_first_or_last() -> None:
    assert deduplicate() == [{"id": 1, "value": "a"}, {"id": 1, "value": "b"}, {"id": 2, "value": "c"}]
    assert deduplicate(mode="key", keys=["id"]) == [{"id": 1, "value": "a"}, {"id": 2, "value": "c"}]
    assert deduplicate(mode="key", keys=["id"], keep="last") == [
        {"id": 1, "value": "b"},
        {"id": 2, "value": "c"},
    ]
    with pytest.raises(PluginError, match="keys: unknown column 'nope'"):
        deduplicate(mode="key", keys=["nope"])


def test_deduplicate_by_key_needs_keys() -> None:
    assert config_problems("Data_Processing.deduplicate", {"input": "t", "mode": "key"}) == [
        "config: 'keys' is a required property"
    ]
