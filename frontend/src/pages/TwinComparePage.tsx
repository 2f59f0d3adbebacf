import { Link, useParams } from "react-router-dom";
import { useRunComparison, type RunDifference } from "../api/twins";
import { ErrorMessage } from "../components/ErrorMessage";
import { DifferenceTable } from "../twins/DifferenceTable";

export function TwinComparePage() {
  const { twinId = "", runA = "", runB = "" } = useParams();
  const comparison = useRunComparison(twinId, runA, runB);
  return (
    <>
      <div className="page-head">
        <h1>Compare runs</h1>
        <span className="muted">
          <Link to={`/twins/${twinId}/runs/${runB}`}>{runB.slice(0, 8)}</Link> minus{" "}
          <Link to={`/twins/${twinId}/runs/${runA}`}>{runA.slice(0, 8)}</Link> ·{" "}
          <Link to={`/twins/${twinId}`}>back to the twin</Link>
        </span>
      </div>
      <section className="card">
        <ErrorMessage error={comparison.error} title="Could not compare the runs" />
        {comparison.data ? (
          <DifferenceTable difference={(comparison.data.difference ?? {}) as RunDifference} />
        ) : (
          !comparison.error && <p className="muted">Loading…</p>
        )}
      </section>
    </>
  );
}
