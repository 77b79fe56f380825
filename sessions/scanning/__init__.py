"""The scan path: what a scanned code or a station's action does to a packing list.

One transaction per scan (`frame.run_step`): lock the list row, check the claim, answer a
retried scan id from the log, apply the change (`codes` for scanned codes, `actions` for the
buttons, `rules` for what both share), append the ScanEvent, publish after commit.
`outcomes` is the one vocabulary of answers; `sql` holds every plain-SQL statement of the path.
"""
