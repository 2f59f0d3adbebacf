import { Suspense } from "react";
import { NavLink, Outlet } from "react-router-dom";
import { useSession } from "../auth/session";
import { NAVIGATION } from "../navigation";

export function Layout() {
  const { principal, can, signOut } = useSession();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          Mimir AIP<small>automation platform</small>
        </div>
        {NAVIGATION.filter((item) => can(item.permission)).map((item) => (
          <NavLink key={item.to} to={item.to} end={item.to === "/"}>
            <span aria-hidden="true">{item.icon}</span>
            {item.label}
          </NavLink>
        ))}
        <div className="spacer" />
        <div className="who">
          <div>
            {principal?.name} · <strong>{principal?.role}</strong>
          </div>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main className="main" id="main" tabIndex={-1}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
