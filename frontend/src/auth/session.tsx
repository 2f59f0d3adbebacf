// Who is signed in: the key (sessionStorage) and what its role may do (from GET /api/v1/auth/whoami).
// Pages ask `can("pipelines:execute")` to decide which actions to show.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api, onUnauthorised, toApiError, type Schemas } from "../api/client";
import { clearStoredKey, storedKey, storeKey } from "../api/session";

export type Principal = Schemas["WhoAmI"];

interface Session {
  principal: Principal | null;
  isRestoring: boolean;
  signIn: (key: string) => Promise<void>;
  signOut: () => void;
  can: (permission: string) => boolean;
}

const SessionContext = createContext<Session | null>(null);

export async function fetchPrincipal(key: string): Promise<Principal> {
  const result = await api.GET("/api/v1/auth/whoami", { headers: { Authorization: `Bearer ${key}` } });
  if (!result.response.ok || !result.data) throw toApiError(result.response.status, result.error);
  return result.data;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [principal, setPrincipal] = useState<Principal | null>(null);
  const [isRestoring, setRestoring] = useState(() => storedKey() !== null);

  const signOut = useCallback(() => {
    clearStoredKey();
    setPrincipal(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => onUnauthorised(() => signOut()), [signOut]);

  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    fetchPrincipal(key)
      .then(setPrincipal)
      .catch(() => signOut())
      .finally(() => setRestoring(false));
  }, [signOut]);

  const signIn = useCallback(async (key: string) => {
    const found = await fetchPrincipal(key);
    storeKey(key);
    setPrincipal(found);
  }, []);

  const value = useMemo<Session>(
    () => ({
      principal,
      isRestoring,
      signIn,
      signOut,
      can: (permission) => principal?.permissions?.includes(permission) ?? false,
    }),
    [principal, isRestoring, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/** Renders its children only when the signed-in key has `permission`. */
export function Can({ permission, children }: { permission: string; children: ReactNode }) {
  return useSession().can(permission) ? <>{children}</> : null;
}
