import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { LiveProvider } from "./api/live";
import { useSession } from "./auth/session";
import { SignInPage } from "./auth/SignInPage";
import { Layout } from "./components/Layout";
import { ApiKeysPage } from "./pages/ApiKeysPage";
import { DashboardPage } from "./pages/DashboardPage";
import { JobDetailPage } from "./pages/JobDetailPage";
import { JobsPage } from "./pages/JobsPage";
import { PipelineDetailPage } from "./pages/PipelineDetailPage";
import { PipelineEditorPage } from "./pages/PipelineEditorPage";
import { PipelinesPage } from "./pages/PipelinesPage";
import { PluginsPage } from "./pages/PluginsPage";
import { ScheduleEditorPage } from "./pages/ScheduleEditorPage";
import { ScheduleDetailPage } from "./pages/ScheduleDetailPage";
import { SchedulesPage } from "./pages/SchedulesPage";

export function AppRoutes() {
  const { principal, isRestoring } = useSession();
  const location = useLocation();
  if (isRestoring) return <p className="muted" style={{ padding: 24 }}>Signing in…</p>;
  if (!principal) {
    return (
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="*" element={<Navigate to="/signin" replace state={{ from: location.pathname }} />} />
      </Routes>
    );
  }
  return (
    <LiveProvider>
      <Routes>
        <Route path="/signin" element={<Navigate to="/" replace />} />
        <Route element={<Layout />}>
          <Route index element={<DashboardPage />} />
          <Route path="pipelines" element={<PipelinesPage />} />
          <Route path="pipelines/new" element={<PipelineEditorPage />} />
          <Route path="pipelines/:pipelineId" element={<PipelineDetailPage />} />
          <Route path="pipelines/:pipelineId/edit" element={<PipelineEditorPage />} />
          <Route path="jobs" element={<JobsPage />} />
          <Route path="jobs/:jobId" element={<JobDetailPage />} />
          <Route path="schedules" element={<SchedulesPage />} />
          <Route path="schedules/new" element={<ScheduleEditorPage />} />
          <Route path="schedules/:scheduleId" element={<ScheduleDetailPage />} />
          <Route path="schedules/:scheduleId/edit" element={<ScheduleEditorPage />} />
          <Route path="plugins" element={<PluginsPage />} />
          <Route path="settings/keys" element={<ApiKeysPage />} />
          {/* Later capabilities (digital twins, vectors) add their routes here and an entry in navigation.ts. */}
          <Route path="*" element={<p>Page not found.</p>} />
        </Route>
      </Routes>
    </LiveProvider>
  );
}
