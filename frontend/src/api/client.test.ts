import { api, onUnauthorised } from "./client";
import { storedKey, storeKey } from "./session";

describe("the API client", () => {
  afterEach(() => vi.restoreAllMocks());

  it("forgets the key and tells listeners when any call answers 401", async () => {
    storeKey("mimir_revoked");
    vi.spyOn(globalThis, "fetch").mockResolvedValue(
      new Response('{"code":401,"message":"the API key is not valid (unknown or revoked)"}', {
        status: 401,
        headers: { "Content-Type": "application/json" },
      }),
    );
    const heard = vi.fn();
    const stop = onUnauthorised(heard);
    const result = await api.GET("/api/v1/queue/status");
    stop();
    expect(result.response.status).toBe(401);
    expect(heard).toHaveBeenCalledOnce();
    expect(storedKey()).toBeNull();
  });

  it("sends the stored key as a bearer token", async () => {
    storeKey("mimir_abc");
    const fetchSpy = vi
      .spyOn(globalThis, "fetch")
      .mockResolvedValue(new Response("{}", { status: 200, headers: { "Content-Type": "application/json" } }));
    await api.GET("/api/v1/queue/status");
    const request = fetchSpy.mock.calls[0][0] as Request;
    expect(request.headers.get("Authorization")).toBe("Bearer mimir_abc");
  });
});
