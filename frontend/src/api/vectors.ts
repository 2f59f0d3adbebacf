// Query hooks for the vectors pages; keys: ["vector-collections"], ["vector-collection", name],
// ["vector-points", name, offset].
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "./client";

export function useCollections() {
  return useQuery({
    queryKey: ["vector-collections"],
    queryFn: async () => unwrap(await api.GET("/api/v1/vectors/collections")),
  });
}

export function useCollection(name: string) {
  return useQuery({
    queryKey: ["vector-collection", name],
    queryFn: async () => unwrap(await api.GET("/api/v1/vectors/collections/{name}", { params: { path: { name } } })),
  });
}

export function usePoints(name: string, offset: string | undefined, limit = 20) {
  return useQuery({
    queryKey: ["vector-points", name, offset],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/vectors/collections/{name}/points", {
          params: { path: { name }, query: offset ? { limit, offset } : { limit } },
        }),
      ),
    placeholderData: (previous) => previous,
  });
}

/** Invalidates what a change to collection `name` makes stale: the list, the collection and its points. */
function useInvalidateCollection() {
  const queryClient = useQueryClient();
  return (name?: string) => {
    void queryClient.invalidateQueries({ queryKey: ["vector-collections"] });
    if (name) {
      void queryClient.invalidateQueries({ queryKey: ["vector-collection", name] });
      void queryClient.invalidateQueries({ queryKey: ["vector-points", name] });
    }
  };
}

export function useCreateCollection() {
  const invalidate = useInvalidateCollection();
  return useMutation({
    mutationFn: async (body: Schemas["CollectionCreate"]) =>
      unwrap(await api.POST("/api/v1/vectors/collections", { body })),
    onSuccess: () => invalidate(),
  });
}

export function useDeleteCollection() {
  const invalidate = useInvalidateCollection();
  return useMutation({
    mutationFn: async (name: string) =>
      unwrap(await api.DELETE("/api/v1/vectors/collections/{name}", { params: { path: { name } } })),
    onSuccess: (_data, name) => invalidate(name),
  });
}

export function useAddPoints(name: string) {
  const invalidate = useInvalidateCollection();
  return useMutation({
    mutationFn: async (points: Schemas["Point"][]) =>
      unwrap(
        await api.POST("/api/v1/vectors/collections/{name}/points", { params: { path: { name } }, body: { points } }),
      ),
    onSuccess: () => invalidate(name),
  });
}

export function useSearch(name: string) {
  return useMutation({
    mutationFn: async (body: Schemas["Search"]) =>
      unwrap(await api.POST("/api/v1/vectors/collections/{name}/search", { params: { path: { name } }, body })),
  });
}
