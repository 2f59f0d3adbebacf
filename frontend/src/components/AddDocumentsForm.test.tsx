import { linesToPoints } from "./AddDocumentsForm";

describe("linesToPoints", () => {
  it("makes one keyed point per non-blank line, keeping the text in the payload", () => {
    expect(linesToPoints("red apples\n\n  green pears \n", "fruit")).toEqual([
      { text: "red apples", payload: { text: "red apples" }, key: "fruit-1" },
      { text: "green pears", payload: { text: "green pears" }, key: "fruit-2" },
    ]);
    expect(linesToPoints("a", " ")).toEqual([{ text: "a", payload: { text: "a" } }]);
  });
});
