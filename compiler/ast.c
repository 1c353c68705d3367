/*
 * ast.c: building the syntax tree.
 *
 * Lists are built in source order by walking to the tail, since specs are
 * short; token lists are the exception (inline data can be long), so their
 * head node keeps a pointer to the tail.
 */
#include "nnc.h"

TokenList *token_list_append(Ctx *c, TokenList *list, Token tok, int is_arrow)
{
    TokenList *node = ctx_alloc(c, sizeof *node);
    node->tok = tok;
    node->is_arrow = is_arrow;
    if (list == NULL) {
        node->tail = node;
        return node;
    }
    list->tail->next = node;
    list->tail = node;
    return list;
}

Stmt *stmt_append(Stmt *list, Stmt *s)
{
    if (s == NULL)
        return list;
    if (list == NULL)
        return s;
    Stmt *p = list;
    while (p->next != NULL)
        p = p->next;
    p->next = s;
    return list;
}

Entry *entry_append(Entry *list, Entry *e)
{
    if (list == NULL)
        return e;
    Entry *p = list;
    while (p->next != NULL)
        p = p->next;
    p->next = e;
    return list;
}

Block *block_append(Block *list, Block *b)
{
    if (b == NULL)
        return list;
    if (list == NULL)
        return b;
    Block *p = list;
    while (p->next != NULL)
        p = p->next;
    p->next = b;
    return list;
}
