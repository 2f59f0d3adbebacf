import { Link, useNavigate, useParams } from "react-router-dom";
import { useCollection, useDeleteCollection } from "../api/vectors";
import { Can } from "../auth/session";
import { AddDocumentsForm } from "../components/AddDocumentsForm";
import { ErrorMessage } from "../components/ErrorMessage";
import { PointsScroll } from "../components/PointsScroll";
import { VectorSearch } from "../components/VectorSearch";

export function VectorCollectionPage() {
  const name = useParams().name ?? "";
  const collection = useCollection(name);
  const remove = useDeleteCollection();
  const navigate = useNavigate();
  const c = collection.data;
  const embedsText = c?.embedder?.kind !== "none";
  return (
    <>
      <div className="page-head">
        <h1>
          <Link to="/vectors">Vectors</Link> / {name}
        </h1>
        <Can permission="vectors:write">
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            onClick={() =>
              window.confirm(`Delete collection "${name}" and its points?`) &&
              remove.mutate(name, { onSuccess: () => navigate("/vectors") })
            }
          >
            Delete collection
          </button>
        </Can>
      </div>
      <ErrorMessage error={collection.error} />
      <ErrorMessage error={remove.error} title="Could not delete the collection" />
      {c && (
        <p className="muted">
          {c.points} points · dimension {c.dimension} · {c.distance} · embedder {c.embedder?.kind ?? "—"}
        </p>
      )}
      <section className="card" aria-labelledby="search-heading">
        <h2 id="search-heading">Search</h2>
        {embedsText ? (
          <VectorSearch collection={name} distance={c?.distance} />
        ) : (
          <p className="muted">This collection has no embedder: search it through the API with a vector.</p>
        )}
      </section>
      {embedsText && (
        <Can permission="vectors:write">
          <section className="card" aria-labelledby="add-heading">
            <h2 id="add-heading">Add documents</h2>
            <AddDocumentsForm collection={name} />
          </section>
        </Can>
      )}
      <section className="card" aria-labelledby="points-heading">
        <h2 id="points-heading">Stored points</h2>
        <PointsScroll collection={name} />
      </section>
    </>
  );
}
