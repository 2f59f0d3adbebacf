import { Link } from "react-router-dom";
import { useWorkflows } from "../api/workflows";
import { Can } from "../auth/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { formatTime } from "../lib/format";

export function WorkflowsPage() {
  const workflows = useWorkflows();
  const items = workflows.data?.items ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Workflows</h1>
        <Can permission="workflows:write">
          <Link className="button primary" to="/workflows/new">
            New workflow
          </Link>
        </Can>
      </div>
      <div className="card">
        <ErrorMessage error={workflows.error} />
        {workflows.data && items.length === 0 && <p className="muted">No workflows yet.</p>}
        {items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Description</th>
                  <th>Tasks</th>
                  <th>Revision</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((w) => (
                  <tr key={w.id}>
                    <td>
                      <Link to={`/workflows/${w.id}`}>{w.name}</Link>
                    </td>
                    <td>{w.description}</td>
                    <td>{w.task_count}</td>
                    <td>{w.revision}</td>
                    <td>{formatTime(w.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}
