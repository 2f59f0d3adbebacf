import { Text } from "@codemirror/state";
import { toDiagnostics } from "./diagnostics";

const doc = Text.of(["name: x", "steps:", "  - name: a", "    plugn: Input.csv"]);

describe("toDiagnostics", () => {
  it("marks a problem from its column to the end of its line", () => {
    const [d] = toDiagnostics(doc, [
      { location: "pipeline.steps[0].plugn", message: "unknown field", line: 4, column: 5 },
    ]);
    expect(doc.sliceString(d.from, d.to)).toBe("plugn: Input.csv");
    expect(d.message).toBe("pipeline.steps[0].plugn: unknown field");
  });

  it("puts a problem the API could not place on the first line", () => {
    const [d] = toDiagnostics(doc, [{ location: "", message: "pipeline YAML is empty", line: null }]);
    expect(doc.sliceString(d.from, d.to)).toBe("name: x");
  });
});
