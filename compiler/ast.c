/*
 * ast.c: building the syntax tree.
 *
 * Lists are built in source order, and a list's first node keeps a
 * pointer to its last, so that appending takes the same time however long
 * the list.
 */
#include "nnc.h"

/* The body of an append: node (none when NULL) goes after list (empty when NULL), which is returned. */
#define APPEND(list, node)                      \
    do {                                        \
        if ((node) == NULL)                     \
            return (list);                      \
        (node)->tail = (node);                  \
        if ((list) == NULL)                     \
            return (node);                      \
        (list)->tail->next = (node);            \
        (list)->tail = (node);                  \
        return (list);                          \
    } while (0)

TokenList *token_list_append(Ctx *c, TokenList *list, Token tok, int is_arrow)
{
    TokenList *node = ctx_alloc(c, sizeof *node);
    node->tok = tok;
    node->is_arrow = is_arrow;
    APPEND(list, node);
}

Stmt *stmt_append(Stmt *list, Stmt *s)
{
    APPEND(list, s);
}

Entry *entry_append(Entry *list, Entry *e)
{
    APPEND(list, e);
}

Block *block_append(Block *list, Block *b)
{
    APPEND(list, b);
}
