-- `.moment` specs: the moment-sync server serves them (diagnostics, hover, outline, semantic
-- tokens for highlighting).
vim.filetype.add({ extension = { moment = 'moment' } })
