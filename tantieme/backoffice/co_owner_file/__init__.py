"""The co-owner file (issue 13, item 3): everything the syndic's staff know about one co-owner account,
one section per URL under /gestion/coproprietaires/<pk>/.

Reads for every staff member of the portfolio (another firm's or an out-of-portfolio co-owner is a
404); writes by capability (`backoffice.policy.Can`): identity and notes with EDIT_FILES, cheques
and adjustments with KEEP_BOOKS, extranet access through the existing `backoffice.access` actions
(MANAGE_ACCESS). The statement is the portal's own (`ledger.statement_search`); lettering and
extranet actions link to their existing pages rather than copying them. Each page runs a fixed
number of queries whatever the length of the history.
"""
