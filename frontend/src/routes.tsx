import { lazy, Suspense } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { LiveProvider } from "./api/live";
import { useSession } from "./auth/session";
import { SignInPage } from "./auth/SignInPage";
import { Layout } from "./components/Layout";

// Pages load on first visit, so the heavy libraries (CodeMirror, React Flow, Recharts) come with the page
// that uses them rather than with sign-in.
const ApiKeysPage = lazy(() => import("./pages/ApiKeysPage").then((m) => ({ default: m.ApiKeysPage })));
const DashboardPage = lazy(() => import("./pages/DashboardPage").then((m) => ({ default: m.DashboardPage })));
const JobDetailPage = lazy(() => import("./pages/JobDetailPage").then((m) => ({ default: m.JobDetailPage })));
const JobsPage = lazy(() => import("./pages/JobsPage").then((m) => ({ default: m.JobsPage })));
const McpPage = lazy(() => import("./pages/McpPage").then((m) => ({ default: m.McpPage })));
const PipelineDetailPage = lazy(() =>
  import("./pages/PipelineDetailPage").then((m) => ({ default: m.PipelineDetailPage })),
);
const PipelineEditorPage = lazy(() =>
  import("./pages/PipelineEditorPage").then((m) => ({ default: m.PipelineEditorPage })),
);
const PipelinesPage = lazy(() => import("./pages/PipelinesPage").then((m) => ({ default: m.PipelinesPage })));
const PluginsPage = lazy(() => import("./pages/PluginsPage").then((m) => ({ default: m.PluginsPage })));
const ScheduleEditorPage = lazy(() =>
  import("./pages/ScheduleEditorPage").then((m) => ({ default: m.ScheduleEditorPage })),
);
const ScheduleDetailPage = lazy(() =>
  import("./pages/ScheduleDetailPage").then((m) => ({ default: m.ScheduleDetailPage })),
);
const TwinComparePage = lazy(() => import("./pages/TwinComparePage").then((m) => ({ default: m.TwinComparePage })));
const TwinDetailPage = lazy(() => import("./pages/TwinDetailPage").then((m) => ({ default: m.TwinDetailPage })));
const TwinRunPage = lazy(() => import("./pages/TwinRunPage").then((m) => ({ default: m.TwinRunPage })));
const TwinsPage = lazy(() => import("./pages/TwinsPage").then((m) => ({ default: m.TwinsPage })));
const SchedulesPage = lazy(() => import("./pages/SchedulesPage").then((m) => ({ default: m.SchedulesPage })));
const VectorCollectionPage = lazy(() =>
  import("./pages/VectorCollectionPage").then((m) => ({ default: m.VectorCollectionPage })),
);
const WorkflowDetailPage = lazy(() =>
  import("./pages/WorkflowDetailPage").then((m) => ({ default: m.WorkflowDetailPage })),
);
const WorkflowRunPage = lazy(() => import("./pages/WorkflowRunPage").then((m) => ({ default: m.WorkflowRunPage })));
const WorkflowsPage = lazy(() => import("./pages/WorkflowsPage").then((m) => ({ default: m.WorkflowsPage })));
const VectorsPage = lazy(() => import("./pages/VectorsPage").then((m) => ({ default: m.VectorsPage })));

export function AppRoutes() {
  const { principal, isRestoring } = useSession();
  const location = useLocation();
  if (isRestoring)
    return (
      <p className="muted" style={{ padding: 24 }}>
        Signing in…
      </p>
    );
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
      <Suspense
        fallback={
          <p className="muted" style={{ padding: 24 }}>
            Loading…
          </p>
        }
      >
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
            <Route path="workflows" element={<WorkflowsPage />} />
            <Route path="workflows/runs/:jobId" element={<WorkflowRunPage />} />
            <Route path="workflows/:workflowId" element={<WorkflowDetailPage />} />
            <Route path="plugins" element={<PluginsPage />} />
            <Route path="vectors" element={<VectorsPage />} />
            <Route path="vectors/:name" element={<VectorCollectionPage />} />
            <Route path="assistants" element={<McpPage />} />
            <Route path="settings/keys" element={<ApiKeysPage />} />
            <Route path="twins" element={<TwinsPage />} />
            <Route path="twins/:twinId" element={<TwinDetailPage />} />
            <Route path="twins/:twinId/runs/:runId" element={<TwinRunPage />} />
            <Route path="twins/:twinId/compare/:runA/:runB" element={<TwinComparePage />} />
            {/* Later capabilities (vectors) add their routes here and an entry in navigation.ts. */}
            <Route path="*" element={<p>Page not found.</p>} />
          </Route>
        </Routes>
      </Suspense>
    </LiveProvider>
  );
}
