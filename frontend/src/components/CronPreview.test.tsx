import { localTime } from "./CronPreview";

describe("localTime", () => {
  it("shows the wall time in the schedule's zone with its offset", () => {
    expect(localTime("2026-12-02T09:30:00+01:00")).toBe("2026-12-02 09:30:00 (+01:00)");
    expect(localTime("2026-12-02T08:30:00Z")).toBe("2026-12-02 08:30:00 (UTC)");
  });
});
