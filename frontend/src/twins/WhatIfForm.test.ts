import { whatIfBody } from "./WhatIfForm";

describe("whatIfBody", () => {
  it("makes one set_capacity change per row, capacities as numbers", () => {
    expect(whatIfBody("s1", [{ uri: "ex:line", capacity: "150" }])).toEqual({
      scenario_id: "s1",
      changes: [{ op: "set_capacity", uri: "ex:line", capacity: 150 }],
      context: {},
    });
  });
});
