" Vim syntax file
" Language:	nn, the neural network spec language of nnc (see nn(5))
" Filenames:	*.nn
"
" The words are those of compiler/lexer.l (keywords), runtime/names.c
" (activations, losses, initialisations, optimizers) and compiler/check.c
" (optimizer settings, precisions); tests/80-install.t
" checks that every one of them is here.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match

" Blocks, and the statements of a network block.
syn keyword nnBlock		network nextgroup=nnNetworkName skipwhite skipnl
syn keyword nnBlock		params data test predict
syn keyword nnStatement		input hidden output loss learn_rate epochs seed init
syn keyword nnStatement		normalize optimizer batch shuffle weight_decay precision
syn keyword nnStatement		validate early_stop schedule conv pool stride padding classes

" The words that statements take.
syn keyword nnActivation	sigmoid tanh relu leaky_relu linear softmax
syn keyword nnLoss		mse binary_cross_entropy cross_entropy
syn keyword nnInit		normal xavier he
syn keyword nnOptimizer		sgd momentum adam
syn keyword nnSetting		nesterov beta1 beta2 epsilon
syn keyword nnPrecision		double float
" The schedules of the learning rate, kinds as the precisions are.
syn keyword nnPrecision		step exponential cosine

" The name after `network`, and `name:` in a predict block.
syn match nnNetworkName		contained "\<\h\w*\>"
syn match nnLabel		"\<\h\w*\ze\s*:"

" Parameters: w1, w2, ..., b1, b2, ... (in a params block, and in comments of generated code).
syn match nnParameter		"\<[wb][1-9]\d*\>"

" Numbers: -2, 0.1, .5, 1e-3; not the digits of a name such as w1 or beta1.
syn match nnNumber		"\%(\w\|\.\)\@1<![-+]\=\%(\d\+\.\=\d*\|\.\d\+\)\%([eE][-+]\=\d\+\)\=\%(\w\|\.\)\@!"

syn match nnArrow		"->"
syn match nnDelimiter		"[{}:,=]"

" File names: double quotes, one line, no escapes.
syn region nnString		start=+"+ end=+"+ end=+$+ oneline

syn keyword nnTodo		contained TODO FIXME XXX NOTE
syn match nnComment		"#.*$" contains=nnTodo,@Spell

hi def link nnBlock		Structure
hi def link nnStatement		Statement
hi def link nnActivation	Function
hi def link nnLoss		Function
hi def link nnInit		Constant
hi def link nnOptimizer		Constant
hi def link nnSetting		Identifier
hi def link nnPrecision		Type
hi def link nnNetworkName	Type
hi def link nnLabel		Label
hi def link nnParameter		Identifier
hi def link nnNumber		Number
hi def link nnArrow		Operator
hi def link nnDelimiter		Delimiter
hi def link nnString		String
hi def link nnTodo		Todo
hi def link nnComment		Comment

let b:current_syntax = "nn"

let &cpo = s:cpo_save
unlet s:cpo_save
