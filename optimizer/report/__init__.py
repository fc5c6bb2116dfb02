"""Reports for leadership gatherings and finance staff: slide deck, workbook, per-member statement.

- ``tables``: the tables every format shares (and the app can show), as typed rows of real numbers;
- ``flows``: who pays whom under the adopted plan and the chosen settlement, and net positions;
- ``people``: the counts about people and their suppression (``<5``, ``:``) in every report;
- ``provenance``: inputs hash, data versions, solver status;
- ``pptx_deck``, ``xlsx_workbook``, ``html_statement``, ``map_figure``: one format each, as bytes/text;
- ``files``: ``report_bytes`` (with ``labels`` to tell scenarios apart), ``distinct_labels`` and
  ``write_report`` for the app and the CLI's ``report`` command (``cli``).

The format modules import python-pptx, openpyxl and matplotlib; nothing here imports them at
package import, so ``python -m optimizer run`` stays quick.
"""
