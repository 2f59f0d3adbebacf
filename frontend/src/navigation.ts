// The sidebar's sections. A capability that gains pages (digital twins, vectors...) adds one entry here and
// its routes in routes.tsx; `permission` hides the entry from keys that could not use it.
export interface NavItem {
  to: string;
  label: string;
  icon: string;
  permission: string;
}

export const NAVIGATION: NavItem[] = [
  { to: "/", label: "Dashboard", icon: "◧", permission: "monitoring:read" },
  { to: "/pipelines", label: "Pipelines", icon: "⇶", permission: "pipelines:read" },
  { to: "/jobs", label: "Jobs", icon: "☰", permission: "jobs:read" },
  { to: "/workflows", label: "Workflows", icon: "⋔", permission: "workflows:read" },
  { to: "/schedules", label: "Schedules", icon: "◷", permission: "scheduler:read" },
  { to: "/twins", label: "Digital twins", icon: "◎", permission: "twins:read" },
  { to: "/plugins", label: "Plugins", icon: "⬡", permission: "plugins:read" },
  { to: "/vectors", label: "Vectors", icon: "⊹", permission: "vectors:read" },
  { to: "/assistants", label: "MCP", icon: "⌘", permission: "mcp:read" },
  { to: "/settings/keys", label: "API keys", icon: "◈", permission: "keys:admin" },
];
