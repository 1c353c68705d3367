" Vim filetype detection for nnc's neural network specs (*.nn); see nn(5).
autocmd BufNewFile,BufRead *.nn setfiletype nn
