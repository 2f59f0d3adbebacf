import { render, screen } from "@testing-library/react";
import { ApiError, toApiError } from "../api/client";
import { ErrorMessage } from "./ErrorMessage";

describe("ErrorMessage", () => {
  it("shows the API's message and each field it names", () => {
    const error = toApiError(422, {
      code: 422,
      message: "pipeline is invalid: 1 problem(s)",
      errors: [{ location: "pipeline.steps[0].plugin", message: "unknown plugin 'Input.nope'" }],
    });
    render(<ErrorMessage error={error} title="Not saved" />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Not saved: pipeline is invalid: 1 problem(s)");
    expect(alert).toHaveTextContent("pipeline.steps[0].plugin unknown plugin 'Input.nope'");
  });

  it("flattens marshmallow's nested field errors into located messages", () => {
    const error = toApiError(422, { message: "invalid request", errors: { json: { cron_expr: ["Missing data."] } } });
    expect(error.fieldErrors).toEqual([{ location: "json.cron_expr", message: "Missing data." }]);
  });

  it("says which status came back when the body has no message", () => {
    const error = toApiError(502, null);
    render(<ErrorMessage error={error} />);
    expect(screen.getByRole("alert")).toHaveTextContent("The server answered 502.");
    expect(error).toBeInstanceOf(ApiError);
  });

  it("renders nothing without an error", () => {
    const { container } = render(<ErrorMessage error={null} />);
    expect(container).toBeEmptyDOMElement();
  });
});
