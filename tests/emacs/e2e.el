;;; e2e.el --- moment-sync in a real Emacs with eglot, in batch mode  -*- lexical-binding: t -*-
;;
;;   emacs --batch -Q -l tests/emacs/e2e.el
;;
;; MOMENT_SYNC_BIN names the server binary (default: target/release/moment-sync of this
;; repository).  The exit status is the result; the last line reads "emacs e2e: N passed, M failed".
;; What runs is eglot's own code: its flymake backend for diagnostics, its code action request
;; and its code action executor (`eglot--read-execute-code-action', the one M-x
;; eglot-code-actions uses), its workspace edit application, its didSave.

;;; Code:

;; -Q skips package activation: activate the packages Debian installs (elpa-eglot and the
;; newer jsonrpc, eldoc, flymake, project and xref it needs), and any in the user's ELPA dir.
(require 'package)
(setq package-directory-list
      (append '("/usr/share/emacs/site-lisp/elpa") package-directory-list))
(package-initialize)

(require 'cl-lib)
(require 'json)
(require 'project)
(require 'flymake)
(require 'eglot)

(defconst e2e-repo
  (file-name-directory
   (directory-file-name
    (file-name-directory (directory-file-name (file-name-directory load-file-name))))))
(defconst e2e-binary
  (or (getenv "MOMENT_SYNC_BIN") (expand-file-name "target/release/moment-sync" e2e-repo)))
(defconst e2e-timeout 20.0)

(defconst e2e-spec "export interface Invoice {
  readonly id: string;
  readonly total: number;
  readonly note?: string;
}
")
;; `total' drifted (changed-type) and `note' is missing (optional: category 1).
(defconst e2e-impl "export interface Invoice {
  readonly id: string;
  readonly total: string;
}
")

(defvar e2e-passed 0)
(defvar e2e-failed 0)

(defun e2e-say (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n") #'external-debugging-output))

(defmacro e2e-test (name &rest body)
  (declare (indent 1))
  `(condition-case err
       (progn ,@body
              (setq e2e-passed (1+ e2e-passed))
              (e2e-say "ok - %s" ,name))
     (error (setq e2e-failed (1+ e2e-failed))
            (e2e-say "FAIL - %s\n  %S" ,name err))))

(defun e2e-idle ()
  "Runs the idle timers, as an interactive Emacs does while the user waits. Batch Emacs is
never idle, and eglot sends didChange (and flymake checks) from idle timers."
  (dolist (timer (copy-sequence timer-idle-list))
    (timer-event-handler timer)))

(defun e2e-wait (what predicate)
  "Waits (serving the server's messages) until PREDICATE holds; errors naming WHAT."
  (let ((deadline (+ (float-time) e2e-timeout)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (e2e-idle)
      (accept-process-output nil 0.05))
    (or value (error "Timed out after %ss waiting for %s" e2e-timeout what))))

(defun e2e-expect (actual expected what)
  (unless (equal actual expected)
    (error "%s: expected %S, got %S" what expected actual)))

(defun e2e-expect-match (regexp text what)
  (unless (and (stringp text) (string-match-p regexp text))
    (error "%s: %S does not match %S" what text regexp)))

(defun e2e-write (root rel text)
  (let ((file (expand-file-name rel root)))
    (make-directory (file-name-directory file) t)
    (with-temp-file file (insert text))
    file))

;; A major mode for TypeScript files (Emacs 28 has none built in); eglot sends its languageId.
(define-derived-mode e2e-ts-mode prog-mode "TS")
(add-to-list 'auto-mode-alist '("\\.ts\\'" . e2e-ts-mode))

(defun e2e-drift ()
  "The moment-sync diagnostics flymake holds for the current buffer."
  (cl-remove-if-not
   (lambda (d) (string-match-p "moment-sync\\|spec\\|implementation" (flymake-diagnostic-text d)))
   (flymake-diagnostics)))

(defun e2e-lsp-diag (d)
  (cdr (assoc 'eglot-lsp-diag (eglot--diag-data d))))

(defun e2e-drift-with-code (code)
  (cl-find-if (lambda (d) (equal (plist-get (e2e-lsp-diag d) :code) code)) (e2e-drift)))

(defun e2e-codes ()
  (sort (mapcar (lambda (d) (plist-get (e2e-lsp-diag d) :code)) (e2e-drift)) #'string<))

(defun e2e-run-action (actions title)
  "Runs the code action TITLE of ACTIONS through eglot's executor, as if picked from its menu."
  ;; A keyboard event (not a mouse click) makes eglot ask through `completing-read'.
  (let ((last-nonmenu-event ?\r))
    (cl-letf (((symbol-function 'completing-read) (lambda (&rest _) title)))
      (eglot--read-execute-code-action actions (eglot--current-server-or-lose)))))

(defun e2e-log-events (root)
  (let ((log (expand-file-name ".moment/sync-log.jsonl" root)))
    (when (file-exists-p log)
      (with-temp-buffer
        (insert-file-contents log)
        (cl-loop for line in (split-string (buffer-string) "\n" t)
                 collect (json-parse-string line :object-type 'plist))))))

(unless (file-executable-p e2e-binary)
  (e2e-say "emacs e2e: no server binary at %s (cargo build --release, or set MOMENT_SYNC_BIN)" e2e-binary)
  (e2e-say "emacs e2e: 0 passed, 1 failed")
  (kill-emacs 1))

;; Setup: a tiny workspace; the folder is the project (a transient project: no VCS needed).
(defvar e2e-root (file-name-as-directory (make-temp-file "moment-e2e" t)))
(e2e-write e2e-root "generated/billing/invoice.types.ts" e2e-spec)
(defvar e2e-file (e2e-write e2e-root "src/domain/billing/invoice.types.ts" e2e-impl))
(add-hook 'project-find-functions
          (lambda (dir) (when (string-prefix-p e2e-root (file-name-as-directory (expand-file-name dir)))
                          (cons 'transient e2e-root))))
(setq eglot-server-programs `((e2e-ts-mode . (,e2e-binary "lsp" "--stdio"))))
(setq eglot-sync-connect e2e-timeout
      eglot-confirm-server-initiated-edits nil)

(find-file e2e-file)
(defvar e2e-buffer (current-buffer))

(e2e-test "eglot connects and manages the TypeScript buffer"
  (eglot '(e2e-ts-mode) (project-current) 'eglot-lsp-server
         (list e2e-binary "lsp" "--stdio") "typescript")
  (e2e-wait "eglot to manage the buffer" #'eglot-managed-p)
  ;; Flymake defers its first check until a command ends or the buffer is displayed, neither
  ;; of which happens in batch mode: start it (eglot then reports each publishDiagnostics).
  (flymake-start)
  (e2e-expect (plist-get (eglot--server-info (eglot--current-server-or-lose)) :name)
              "moment-sync" "serverInfo.name"))

(e2e-test "flymake shows the drift: a warning on `total', a note on the missing `note'"
  (condition-case nil
      (e2e-wait "two moment-sync diagnostics"
                (lambda () (equal (e2e-codes) '("changed-type" "missing-member"))))
    (error (error "No drift in flymake; it holds %S (backends running: %S, disabled: %S)"
                  (mapcar #'flymake-diagnostic-text (flymake-diagnostics))
                  (flymake-running-backends) (flymake-disabled-backends))))
  (let ((total (e2e-drift-with-code "changed-type"))
        (note (e2e-drift-with-code "missing-member")))
    (e2e-expect (flymake-diagnostic-type total) 'eglot-warning "changed-type type")
    (e2e-expect (flymake-diagnostic-type note) 'eglot-note "missing-member type")
    (e2e-expect (line-number-at-pos (flymake-diagnostic-beg total)) 3 "changed-type line")
    (e2e-expect-match "Invoice.total is `string` here but `number` in the spec"
                      (flymake-diagnostic-text total) "message")
    ;; What the user sees (docs/EDITORS.md quotes it): each line as M-x flymake-show-buffer-diagnostics lists it.
    (dolist (d (list note total))
      (e2e-say "  %d %s %s" (line-number-at-pos (flymake-diagnostic-beg d))
               (flymake-diagnostic-type d) (flymake-diagnostic-text d)))))

(e2e-test "hover on `total' explains the drift"
  (goto-char (flymake-diagnostic-beg (e2e-drift-with-code "changed-type")))
  (let* ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                 (eglot--TextDocumentPositionParams)))
         (contents (plist-get hover :contents))
         (text (if (stringp contents) contents (plist-get contents :value))))
    (e2e-expect-match "changed-type" text "hover")
    (e2e-expect-match "category [23]" text "hover")))

(e2e-test "the quick fix, run through eglot, fixes `total'; saving records the acceptance"
  (let* ((total (e2e-drift-with-code "changed-type"))
         (actions (eglot-code-actions (flymake-diagnostic-beg total) (flymake-diagnostic-end total)
                                      "quickfix"))
         (fix (cl-find-if (lambda (a) (eq (plist-get a :isPreferred) t)) actions)))
    (unless fix (error "no preferred quick fix among %S" (mapcar (lambda (a) (plist-get a :title)) actions)))
    (e2e-run-action actions (plist-get fix :title))
    (e2e-expect (nth 2 (split-string (buffer-string) "\n")) "  readonly total: number;" "fixed line")
    (e2e-wait "the changed-type diagnostic to go" (lambda () (equal (e2e-codes) '("missing-member"))))
    (e2e-expect (file-exists-p (expand-file-name ".moment" e2e-root)) nil ".moment/ before saving")
    (save-buffer)
    (e2e-wait "an acceptance in the decision log"
              (lambda () (cl-find "ProposalAccepted" (e2e-log-events e2e-root)
                                  :key (lambda (e) (plist-get e :type)) :test #'equal)))))

(e2e-test "fix-all applies the clean fix"
  (let ((actions (eglot-code-actions (point-min) (point-max) "source.fixAll.moment-sync")))
    (e2e-expect (length actions) 1 "fix-all actions")
    (e2e-run-action actions (plist-get (car actions) :title)))
  (e2e-expect-match "readonly note\\?: string;" (buffer-string) "buffer after fix-all")
  (e2e-wait "no moment-sync diagnostics" (lambda () (null (e2e-drift)))))

(e2e-test "the spec shows a hint, worded for the spec"
  (with-current-buffer e2e-buffer
    (erase-buffer)
    (insert e2e-impl))
  (find-file (expand-file-name "generated/billing/invoice.types.ts" e2e-root))
  (e2e-wait "eglot to manage the spec buffer" #'eglot-managed-p)
  (flymake-start)
  (e2e-wait "a missing-member hint" (lambda () (e2e-drift-with-code "missing-member")))
  (let ((note (e2e-drift-with-code "missing-member")))
    (e2e-expect (plist-get (e2e-lsp-diag note) :severity) 4 "severity (hint)")
    (e2e-expect-match "\\[missing-member\\]: `Invoice.note` is not in the implementation yet"
                      (flymake-diagnostic-text note)
                      "message")))

(e2e-say "emacs e2e: %d passed, %d failed" e2e-passed e2e-failed)
(ignore-errors (eglot-shutdown-all))
(delete-directory e2e-root t)
(kill-emacs (if (zerop e2e-failed) 0 1))

;;; e2e.el ends here
