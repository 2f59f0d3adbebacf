import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useCollections, useDeleteCollection } from "../api/vectors";
import { Can } from "../auth/session";
import { CollectionForm } from "../components/CollectionForm";
import { ErrorMessage } from "../components/ErrorMessage";

export function VectorsPage() {
  const collections = useCollections();
  const remove = useDeleteCollection();
  const navigate = useNavigate();
  const [isCreating, setCreating] = useState(false);
  const list = collections.data ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Vectors</h1>
        <Can permission="vectors:write">
          <button type="button" className="primary" onClick={() => setCreating((c) => !c)} aria-expanded={isCreating}>
            New collection
          </button>
        </Can>
      </div>
      {isCreating && (
        <Can permission="vectors:write">
          <section className="card" aria-label="Create a collection">
            <CollectionForm onCreated={(name) => navigate(`/vectors/${encodeURIComponent(name)}`)} />
          </section>
        </Can>
      )}
      <div className="card">
        <ErrorMessage error={collections.error} />
        <ErrorMessage error={remove.error} title="Could not delete the collection" />
        {collections.data && list.length === 0 && <p className="muted">No collections yet.</p>}
        {list.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Collections">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Dimension</th>
                  <th>Distance</th>
                  <th>Embedder</th>
                  <th>Points</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((c) => (
                  <tr key={c.name}>
                    <td>
                      <Link to={`/vectors/${encodeURIComponent(c.name ?? "")}`}>{c.name}</Link>
                    </td>
                    <td>{c.dimension}</td>
                    <td>{c.distance}</td>
                    <td>{c.embedder?.kind ?? "—"}</td>
                    <td>{c.points}</td>
                    <td>
                      <Can permission="vectors:write">
                        <button
                          type="button"
                          className="danger"
                          aria-label={`Delete collection ${c.name}`}
                          disabled={remove.isPending}
                          onClick={() =>
                            window.confirm(`Delete collection "${c.name}" and its ${c.points ?? 0} points?`) &&
                            remove.mutate(c.name ?? "")
                          }
                        >
                          Delete
                        </button>
                      </Can>
                    </td>
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
