"""Built-in plugins. The registry imports each lazily, on first use, from this table."""

BUILTIN_PLUGINS: dict[str, str] = {
    "Input.csv": "shared.plugins.builtin.file_inputs:CsvInput",
    "Input.json": "shared.plugins.builtin.file_inputs:JsonInput",
    "Input.excel": "shared.plugins.builtin.file_inputs:ExcelInput",
    "Input.markdown": "shared.plugins.builtin.document_inputs:MarkdownInput",
    "Input.xml": "shared.plugins.builtin.document_inputs:XmlInput",
    "Input.api": "shared.plugins.builtin.api_input:ApiInput",
    "Data_Processing.transform": "shared.plugins.builtin.transform:Transform",
    "Data_Processing.validate": "shared.plugins.builtin.validate:Validate",
    "Data_Processing.deduplicate": "shared.plugins.builtin.deduplicate:Deduplicate",
    "Output.json": "shared.plugins.builtin.outputs:JsonOutput",
    "Output.csv": "shared.plugins.builtin.outputs:CsvOutput",
    "Output.excel": "shared.plugins.builtin.outputs:ExcelOutput",
    "Output.html": "shared.plugins.builtin.outputs:HtmlOutput",
    "Utility.noop": "shared.plugins.builtin.utility:Noop",
    "Utility.sleep": "shared.plugins.builtin.utility:Sleep",
    "Utility.fib": "shared.plugins.builtin.utility:Fibonacci",
}
