/*
 * dot.c: the network as a Graphviz graph, drawn like the tutorial's figures
 * (nnc --emit dot).
 *
 * Layers run left to right: the inputs, each hidden layer, the output
 * layer, then the prediction.  Each neuron shows its name, its bias and
 * its activation (h1, b1, sigmoid) and each edge its weight (w1): the
 * names of the generated C, so that the picture and the code can be read
 * side by side.  The graph itself is written by the runtime's writer
 * (runtime/dot.c), which draws a program's --dot too; this file gives it
 * the spec's shape and names, and opens the text with a comment on where
 * it comes from.  Conv and pool layers are drawn as stacks of maps, one
 * node a layer, from the same shapes that a program's descriptor holds.
 */
#include "nnc.h"
#include "nnrt_impl.h"

/* Where the writer's text goes: the output buffer, in the run's arena. */
typedef struct {
    Ctx *c;
    Buf *out;
} Sink;

static void put_buf(void *out, const char *text)
{
    Sink *sink = out;
    buf_puts(sink->c, sink->out, text);
}

void emit_dot(Ctx *c, Net *net, Buf *out)
{
    Spec *s = net->spec;
    buf_printf(c, out, "/*\n * The network '%s' of %s, drawn by nnc %s.\n", s->name, comment_text(c, s->file),
               NNC_VERSION);
    buf_printf(c, out, " * Render it with: dot -Tsvg FILE.dot -o FILE.svg\n */\n");

    int *size = ctx_array(c, (size_t)s->nlayers, sizeof *size);
    const char **act = ctx_array(c, (size_t)s->nlayers, sizeof *act);
    for (int l = 0; l < s->nlayers; l++) {
        size[l] = s->layers[l].size;
        act[l] = act_names[s->layers[l].act];
    }
    /* Conv and pool layers are drawn as maps, from the shapes that a program's descriptor has too. */
    int *map = NULL;
    if (net->has_maps) {
        map = ctx_array(c, 3 + (size_t)NNRT_MAP_FIELDS * (size_t)s->nlayers, sizeof *map);
        map[0] = s->input_shape.h, map[1] = s->input_shape.w, map[2] = s->input_shape.c;
        for (int l = 0; l < s->nlayers; l++)
            layer_map_fields(&s->layers[l], map + 3 + NNRT_MAP_FIELDS * l);
    }
    Sink sink = {c, out};
    struct nnrt__dot d = {NNRT__DOT_SPEC, s->name, s->ninputs, (const char *const *)s->input_names,
                          s->nlayers, size, act, NULL, NULL, put_buf, &sink, map};
    nnrt__dot_write(&d);
}
