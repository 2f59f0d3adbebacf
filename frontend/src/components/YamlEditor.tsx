import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { useEffect, useRef } from "react";
import { toDiagnostics, type LocatedProblem } from "../lib/diagnostics";

/** A YAML editor (CodeMirror 6) whose problems are marked at their line, with a gutter marker and a
 * tooltip. `problems` come from the caller (the API's validate endpoint). */
export function YamlEditor({
  value,
  onChange,
  problems,
  label,
  readOnly = false,
}: {
  value: string;
  onChange?: (value: string) => void;
  problems: LocatedProblem[];
  label: string;
  readOnly?: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          EditorState.readOnly.of(readOnly),
          // tabindex makes the focusable content explicit (axe then sees the scroller is keyboard-reachable).
          EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
    // The editor is created once; later `value` changes from outside are applied below.
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    editor.dispatch(setDiagnostics(editor.state, toDiagnostics(editor.state.doc, problems)));
  }, [problems, value]);

  return <div className="editor" ref={host} data-testid="yaml-editor" />;
}
