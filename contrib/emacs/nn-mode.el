;;; nn-mode.el --- Major mode for nnc's neural network specs  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "24.3"))
;; Keywords: languages

;;; Commentary:

;; A major mode for the .nn language that nnc compiles into C (see nn(5)):
;; font-lock for its keywords, activations, losses, initialisations,
;; optimizers, precisions, numbers, file names and `->', `#' comments, and indentation
;; by braces.
;;
;; Install by putting this file on `load-path' and adding
;;
;;   (require 'nn-mode)
;;
;; to your init file; or run M-x package-install-file on it.
;;
;; The words are those of nnc's compiler/lexer.l (keywords),
;; runtime/names.c (activations, losses, initialisations, optimizers) and
;; compiler/check.c (optimizer settings, precisions);
;; nnc's tests/80-install.t checks that every one of them is here.

;;; Code:

(defgroup nn nil
  "Major mode for nnc's neural network specs."
  :group 'languages
  :prefix "nn-")

(defcustom nn-indent-offset 4
  "Indentation of the statements and rows inside a block."
  :type 'integer
  :safe #'integerp
  :group 'nn)

(defconst nn-blocks '("network" "params" "data" "test" "predict")
  "The blocks of a spec.")

(defconst nn-statements
  '("input" "hidden" "output" "loss" "learn_rate" "epochs" "seed" "init"
    "normalize" "optimizer" "batch" "shuffle" "weight_decay" "precision"
    "validate" "early_stop" "schedule" "conv" "pool" "stride" "padding" "classes")
  "The statements of a network block.")

(defconst nn-activations
  '("sigmoid" "tanh" "relu" "leaky_relu" "linear" "softmax")
  "The activations of `hidden' and `output'.")

(defconst nn-losses '("mse" "binary_cross_entropy" "cross_entropy")
  "The losses of `loss'.")

(defconst nn-inits '("normal" "xavier" "he")
  "The initialisations of `init'.")

(defconst nn-optimizers '("sgd" "momentum" "adam")
  "The optimizers of `optimizer'.")

(defconst nn-precisions '("double" "float")
  "The types of `precision'.")

(defconst nn-schedules '("step" "exponential" "cosine")
  "The kinds of `schedule'.")

(defconst nn-optimizer-settings '("nesterov" "beta1" "beta2" "epsilon")
  "The settings that follow an optimizer's name.")

(defconst nn-number-regexp
  (concat "\\(?:^\\|[^[:alnum:]_.]\\)"
          "\\([-+]?\\(?:[0-9]+\\.?[0-9]*\\|\\.[0-9]+\\)"
          "\\(?:[eE][-+]?[0-9]+\\)?\\)")
  "A number, in group 1: -2, 0.1, .5, 1e-3; not the digits of w1 or beta1.")

(defconst nn-font-lock-keywords
  `((,(concat "\\_<network\\_>[ \t\n]+\\(\\(?:\\sw\\|\\s_\\)+\\)")
     1 font-lock-type-face)
    (,(regexp-opt nn-blocks 'symbols) . font-lock-keyword-face)
    (,(regexp-opt nn-statements 'symbols) . font-lock-keyword-face)
    (,(regexp-opt (append nn-activations nn-losses) 'symbols)
     . font-lock-builtin-face)
    (,(regexp-opt (append nn-inits nn-optimizers) 'symbols)
     . font-lock-constant-face)
    (,(regexp-opt nn-optimizer-settings 'symbols)
     . font-lock-variable-name-face)
    (,(regexp-opt nn-precisions 'symbols) . font-lock-type-face)
    (,(regexp-opt nn-schedules 'symbols) . font-lock-type-face)
    ;; `name:' in a predict block.
    ("^[ \t]*\\(\\(?:\\sw\\|\\s_\\)+\\)[ \t]*:" 1 font-lock-function-name-face)
    ;; Parameters: w1, w2, ..., b1, b2, ...
    ("\\_<[wb][1-9][0-9]*\\_>" . font-lock-variable-name-face)
    ("->" . font-lock-builtin-face)
    (,nn-number-regexp 1 font-lock-constant-face))
  "What `nn-mode' highlights.")

(defvar nn-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?# "<" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?\" "\"" table)
    ;; No escapes in file names.
    (modify-syntax-entry ?\\ "." table)
    (modify-syntax-entry ?_ "_" table)
    (dolist (c '(?- ?+ ?. ?> ?: ?, ?= ?\'))
      (modify-syntax-entry c "." table))
    table)
  "Syntax table of `nn-mode'.")

(defun nn-indent-line ()
  "Indent the current line by the depth of the braces around it."
  (interactive)
  (let* ((depth (save-excursion
                  (beginning-of-line)
                  (car (syntax-ppss))))
         (closing (save-excursion
                    (back-to-indentation)
                    (eq (char-after) ?\})))
         (column (* nn-indent-offset (max 0 (- depth (if closing 1 0)))))
         (offset (- (current-column) (current-indentation))))
    (indent-line-to column)
    (when (> offset 0)
      (forward-char offset))))

;;;###autoload
(define-derived-mode nn-mode prog-mode "NN"
  "Major mode for the neural network specs that nnc compiles (see nn(5)).

\\{nn-mode-map}"
  :syntax-table nn-mode-syntax-table
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+[ \t]*")
  (setq-local comment-end "")
  (setq-local indent-line-function #'nn-indent-line)
  (setq-local electric-indent-chars (append '(?\{ ?\}) electric-indent-chars))
  (setq-local font-lock-defaults '(nn-font-lock-keywords)))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.nn\\'" . nn-mode))

(provide 'nn-mode)

;;; nn-mode.el ends here
