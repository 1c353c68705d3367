/*
 * emit_runtime.c: what the runtime needs to know, not the network's math.
 *
 * nnrt_main trains any network through one struct nnrt_net: its sizes
 * and settings, the spec's data, and functions that take doubles and
 * void pointers (accessors to parameters and optimizer state by index,
 * adapters around the network's own functions).  These are written
 * after the network's math, at the end of the C file, so that a reader
 * of the math meets them last.
 */
#include <string.h>

#include "emit.h"
#include "nnrt.h"

/* Writes n doubles, at most `per` a line and within 100 columns, indented by 4. */
static void emit_doubles(Emitter *e, const double *v, long n, int per)
{
    int col = 0, on_line = 0;
    for (long i = 0; i < n; i++) {
        const char *x = num(e, v[i]);
        int len = (int)strlen(x) + 1;
        if (on_line > 0 && (on_line == per || col + 1 + len > 100)) {
            W("\n");
            on_line = 0;
        }
        if (on_line == 0) {
            W("    %s,", x);
            col = 4 + len;
        } else {
            W(" %s,", x);
            col += 1 + len;
        }
        on_line++;
    }
    if (n > 0)
        W("\n");
}

/* The accessors through which the runtime reads and writes parameters and state. */
static void emit_accessors(Emitter *e)
{
    Net *net = e->net;
    const char *n = e->name;
    const char *const *pre = state_prefixes(e);
    int nw = net->nweights, np = net->nparams;

    if (e->compact) {
        W("static double %s_get(const void *nn, int i)\n{\n", n);
        W("    const struct %s *p = nn;\n", n);
        W("    return i < %d ? p->w[i] : p->b[i - %d];\n}\n\n", nw, nw);
        W("static void %s_set(void *nn, int i, double v)\n{\n", n);
        W("    struct %s *p = nn;\n", n);
        W("    if (i < %d)\n        p->w[i] = %sv;\n    else\n        p->b[i - %d] = %sv;\n}\n\n", nw, e->cast, nw, e->cast);
        if (pre[0] == NULL)
            return;
        /* Value j of the state is prefix j / nparams of parameter j % nparams. */
        W("static %s *%s_state_at(const void *state, int j)\n{\n", e->type, n);
        W("    const struct %s_optimizer *s = state;\n", n);
        W("    int i = j %% %d;\n", np);
        for (int k = 0; pre[k] != NULL; k++)
            W("    if (j < %d)\n        return (%s *)(i < %d ? &s->%sw[i] : &s->%sb[i - %d]);\n", (k + 1) * np,
              e->type, nw, pre[k], pre[k], nw);
        W("    return NULL;\n}\n\n");
    } else {
        W("static const size_t %s_param_offset[%d] = {\n", n, np);
        for (int i = 0; i < np; i++)
            W("    offsetof(struct %s, %s),\n", n, pname_of(e, i));
        W("};\n\n");
        W("static double %s_get(const void *nn, int i)\n{\n", n);
        W("    return *(const %s *)(const void *)((const char *)nn + %s_param_offset[i]);\n}\n\n", e->type, n);
        W("static void %s_set(void *nn, int i, double v)\n{\n", n);
        W("    *(%s *)(void *)((char *)nn + %s_param_offset[i]) = %sv;\n}\n\n", e->type, n, e->cast);
        if (pre[0] == NULL)
            return;
        int nstate = np * (pre[1] != NULL ? 2 : 1);
        W("static const size_t %s_state_offset[%d] = {\n", n, nstate);
        for (int k = 0; pre[k] != NULL; k++)
            for (int i = 0; i < np; i++)
                W("    offsetof(struct %s_optimizer, %s%s),\n", n, pre[k], pname_of(e, i));
        W("};\n\n");
        W("static %s *%s_state_at(const void *state, int j)\n{\n", e->type, n);
        W("    return (%s *)(void *)((const char *)state + %s_state_offset[j]);\n}\n\n", e->type, n);
    }
    W("static double %s_state_get(const void *state, int j)\n{\n", n);
    W("    return *%s_state_at(state, j);\n}\n\n", n);
    W("static void %s_state_set(void *state, int j, double v)\n{\n", n);
    W("    *%s_state_at(state, j) = %sv;\n}\n\n", n, e->cast);
}

/*
 * The functions the runtime calls, which take doubles: in a float network
 * they convert on the way in and out.
 */
static void emit_adapters(Emitter *e)
{
    const char *n = e->name;
    int ni = e->s->ninputs, no = e->net->noutputs;
    const char *x = e->single ? "xf" : "x", *y = e->single ? "yf" : "y_true";
    /* In a float network: float copies of x (and y_true) for the call. */
#define CONVERT_IN(with_y)                                                                        \
    if (e->single) {                                                                              \
        W("    float xf[%d]%s;\n\n", ni, with_y ? ctx_printf(e->c, ", yf[%d]", no) : "");            \
        W("    for (int i = 0; i < %d; i++)\n        xf[i] = (float)x[i];\n", ni);                  \
        if (with_y)                                                                               \
            W("    for (int k = 0; k < %d; k++)\n        yf[k] = (float)y_true[k];\n", no);         \
    }

    W("static void %s_feedforward_any(const void *nn, const double *x, double *y_pred)\n{\n", n);
    if (e->single) {
        W("    float xf[%d], yf[%d];\n\n", ni, no);
        W("    for (int i = 0; i < %d; i++)\n        xf[i] = (float)x[i];\n", ni);
        W("    %s_feedforward(nn, xf, yf);\n", n);
        W("    for (int k = 0; k < %d; k++)\n        y_pred[k] = yf[k];\n}\n\n", no);
    } else {
        W("    %s_feedforward(nn, x, y_pred);\n}\n\n", n);
    }
    W("static double %s_loss_any(const void *nn, const double *x, const double *y_true)\n{\n", n);
    CONVERT_IN(1);
    W("    return %s_loss(nn, %s, %s);\n}\n\n", n, x, y);
    W("static void %s_train_sample_any(void *nn, const double *x, const double *y_true,\n"
      "    double learn_rate)\n{\n", n);
    CONVERT_IN(1);
    W("    %s_train_sample(nn, %s, %s, %slearn_rate);\n}\n\n", n, x, y, e->single ? "(float)" : "");
    if (!e->single) {
        W("static void %s_train_epoch_any(void *nn, const double *rows, const int *order, int n,\n"
          "    double learn_rate)\n{\n", n);
        W("    %s_train_epoch(nn, rows, order, n, learn_rate);\n}\n\n", n);
    }
    W("static void %s_backprop_any(const void *nn, const double *x, const double *y_true,\n"
      "    void *sum_d_L_d)\n{\n", n);
    CONVERT_IN(1);
    W("    %s_backprop(nn, %s, %s, sum_d_L_d);\n}\n\n", n, x, y);
#undef CONVERT_IN
}

/* static const double NAME_<what>[] = {...}: n rows of width values, 16 a line at most. */
static void rows_table(Emitter *e, const char *what, const double *rows, int n, int width)
{
    W("static const double %s_%s[%ld] = {\n", e->name, what, (long)n * width);
    for (int r = 0; r < n; r++)
        emit_doubles(e, rows + (size_t)r * (size_t)width, width, width > 16 ? 16 : width);
    W("};\n\n");
}

/* static const char *const NAME_<what>[n] = {"...", ...}: names the spec gives, C identifiers all. */
static void name_table(Emitter *e, const char *what, char *const *names, int n)
{
    W("static const char *const %s_%s[%d] = {\n", e->name, what, n);
    for (int i = 0; i < n; i++)
        W("    \"%s\",\n", names[i]);
    W("};\n\n");
}

/* The spec's own data: fixed parameters, data and test rows, predictions, input and class names. */
static void emit_tables(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    const char *n = e->name;
    int ni = s->ninputs, no = net->noutputs;

    if (s->init_fixed != NULL) {
        W("/* The parameters that the spec's params block fixes, and their values. */\n");
        W("static const unsigned char %s_init_fixed[%d] = {\n", n, net->nparams);
        for (int i = 0; i < net->nparams; i++)
            W("%s%d,%s", i % 20 == 0 ? "    " : " ", s->init_fixed[i],
              i % 20 == 19 || i == net->nparams - 1 ? "\n" : "");
        W("};\n\n");
        W("static const double %s_init_value[%d] = {\n", n, net->nparams);
        emit_doubles(e, s->init_value, net->nparams, 8);
        W("};\n\n");
    }
    if (s->ndata > 0) {
        W("/* The spec's data: %d row%s of %d input%s, then %d target%s. */\n", s->ndata,
          s->ndata == 1 ? "" : "s", ni, ni == 1 ? "" : "s", no, no == 1 ? "" : "s");
        rows_table(e, "data", s->data, s->ndata, ni + no);
    }
    if (s->ntest > 0) {
        W("/* The spec's held-out test rows: %d of %d input%s, then %d target%s. */\n", s->ntest, ni,
          ni == 1 ? "" : "s", no, no == 1 ? "" : "s");
        rows_table(e, "test", s->test, s->ntest, ni + no);
    }
    if (s->npredict > 0) {
        W("/* The spec's predictions. */\n");
        name_table(e, "predict_name", s->predict_name, s->npredict);
        rows_table(e, "predict_x", s->predict_x, s->npredict, ni);
    }
    if (s->input_names != NULL)
        name_table(e, "input_name", s->input_names, ni);
    if (s->nclasses > 0) {
        W("/* The names of the classes, by class index. */\n");
        name_table(e, "class_name", s->class_names, s->nclasses);
    }
}

/*
 * The descriptor's validation, early stopping and schedule, written only
 * when the spec has them: a spec without them gives the C it always gave.
 */
static void emit_validation(Emitter *e, const Spec *s)
{
    static const char *const kinds[] = {"NNRT_CONSTANT", "NNRT_STEP", "NNRT_EXPONENTIAL", "NNRT_COSINE"};
    char a[NNRT_DOUBLE_BUFSIZE], b[NNRT_DOUBLE_BUFSIZE];
    if (s->validate > 0)
        W("    .validate = %s,\n", nnrt_format_double(a, s->validate));
    if (s->early_stop > 0)
        W("    .early_stop = %ld,\n", s->early_stop);
    if (s->schedule == 1 || s->schedule == 2)
        W("    .schedule = {%s, %ld, %s, 0, 0},\n", kinds[s->schedule], s->schedule_every,
          nnrt_format_double(a, s->schedule_gamma));
    else if (s->schedule == 3)
        W("    .schedule = {%s, 0, 0, %ld, %s},\n", kinds[s->schedule], s->schedule_every,
          nnrt_format_double(b, s->schedule_eta_min));
}

/* A network with maps: each layer's fan for the initialisation, and its shape for the drawing. */
static void emit_map_tables(Emitter *e)
{
    const Spec *s = e->s;
    const char *n = e->name;
    int ni = s->ninputs;
    /* Each layer's weights, their fan-in and fan-out, for the initialisation. */
    W("static const int %s_layer_fan[%d] = {", n, 3 * s->nlayers);
    for (int l = 0; l < s->nlayers; l++) {
        const Layer *y = &s->layers[l];
        int k = y->kh * y->kw, in = l == 0 ? ni : s->layers[l - 1].size;
        if (y->type == LAYER_DENSE)
            W("%s%ld, %d, %d", l ? ", " : "", layer_weights(ni, s->layers, l), in, y->size);
        else if (y->type == LAYER_CONV)
            W("%s%ld, %d, %d", l ? ", " : "", layer_weights(ni, s->layers, l), k * y->in.c, k * y->out.c);
        else
            W("%s0, 0, 0", l ? ", " : "");
    }
    W("};\n\n");

    static const char *const kinds[] = {"NNRT_DENSE", "NNRT_CONV", "NNRT_MAX_POOL", "NNRT_AVG_POOL"};
    W("/*\n * The maps, for --dot: the input's rows, columns and channels; then each layer's\n");
    W(" * kind, map made (rows, columns, channels), kernel, stride (down, across) and padding.\n */\n");
    W("static const int %s_layer_map[%d] = {\n    %d, %d, %d,\n", n, 3 + NNRT_MAP_FIELDS * s->nlayers,
      s->input_shape.h, s->input_shape.w, s->input_shape.c);
    for (int l = 0; l < s->nlayers; l++) {
        int v[NNRT_MAP_FIELDS];
        layer_map_fields(&s->layers[l], v);
        W("    %s", kinds[v[NNRT_MAP_KIND]]);
        for (int k = 1; k < NNRT_MAP_FIELDS; k++)
            W(", %d", v[k]);
        W(",\n");
    }
    W("};\nstatic const char *const %s_layer_act[%d] = {", n, s->nlayers);
    for (int l = 0; l < s->nlayers; l++)
        W("%s\"%s\"", l ? ", " : "", act_names[s->layers[l].act]);
    W("};\n\n");
}

/* NAME_update_any: NAME_update behind the runtime's one signature, whatever the optimizer. */
static void emit_update_any(Emitter *e)
{
    const char *n = e->name;
    Spec *s = e->s;
    W("static void %s_update_any(void *nn, void *state, const void *sum_d_L_d, int count,\n", n);
    W("    const struct nnrt_hyper *h, long step)\n{\n");
    if (s->optimizer == OPT_SGD)
        W("    (void)state;\n    (void)step;\n    %s_update(nn, sum_d_L_d, count, h);\n}\n\n", n);
    else if (s->optimizer == OPT_MOMENTUM)
        W("    (void)step;\n    %s_update(nn, state, sum_d_L_d, count, h);\n}\n\n", n);
    else
        W("    %s_update(nn, state, sum_d_L_d, count, h, step);\n}\n\n", n);
}

/* The descriptor's training settings: epochs, hyperparameters, order, seed, initialisation, outputs. */
static void emit_training_fields(Emitter *e)
{
    Spec *s = e->s;
    int no = e->net->noutputs;
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed);
    Act out = s->layers[s->nlayers - 1].act;
    static const char *const init_enum[] = {"NNRT_INIT_NORMAL", "NNRT_INIT_XAVIER", "NNRT_INIT_HE"};
    W("    .epochs = %ld,\n", s->epochs);
    W("    .hyper = {%s, %s, %s, %s, %s, %s},\n", num(e, s->learn_rate), num(e, s->momentum), num(e, s->beta1),
      num(e, s->beta2), num(e, s->epsilon), num(e, s->weight_decay));
    W("    .batch = %ld,\n", s->batch);
    if (s->shuffle)
        W("    .shuffle = 1,\n");
    W("    .seed = UINT64_C(%s),\n", seed);
    W("    .init = %s,\n", init_enum[s->init]);
    W("    .classify = %s,\n", out == ACT_SOFTMAX                ? "NNRT_ARGMAX"
                           : out == ACT_SIGMOID && no == 1 ? "NNRT_THRESHOLD"
                                                            : "NNRT_NO_CLASSES");
    if (out == ACT_SOFTMAX)
        W("    .class_index = 1,\n");
    if (s->loss == LOSS_CE || s->loss == LOSS_BCE)
        W("    .distribution = %d,\n", s->loss == LOSS_CE ? 1 : 2);
    if (s->normalize)
        W("    .normalize = 1,\n");
}

/* The description of the network that nnrt_main works from. */
void emit_descriptor(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    const char *n = e->name;
    int ni = s->ninputs, no = net->noutputs;
    const char *const *pre = state_prefixes(e);

    W("/* ---- What the runtime needs to know: not the network's math. ---- */\n\n");
    emit_accessors(e);
    emit_tables(e);
    W("static const int %s_layer_size[%d] = {", n, s->nlayers);
    for (int l = 0; l < s->nlayers; l++)
        W("%s%d", l ? ", " : "", s->layers[l].size);
    W("};\n\n");
    if (net->has_maps)
        emit_map_tables(e);

    emit_adapters(e);
    emit_update_any(e);

    static const char *const opt_enum[] = {"NNRT_SGD", "NNRT_MOMENTUM", "NNRT_ADAM"};
    W("const struct nnrt_net %s_net = {\n", n);
    W("    .name = \"%s\",\n", n);
    W("    .spec = \"%s\",\n", c_string_text(e->c, s->file));
    W("    .ninputs = %d,\n    .noutputs = %d,\n    .nparams = %d,\n", ni, no, net->nparams);
    W("    .nlayers = %d,\n    .layer_size = %s_layer_size,\n", s->nlayers, n);
    if (s->input_names != NULL)
        W("    .input_name = %s_input_name,\n", n);
    W("    .nweights = %d,\n    .size = sizeof(struct %s),\n", net->nweights, n);
    if (e->single)
        W("    .single = 1,\n");
    W("    .get = %s_get,\n    .set = %s_set,\n", n, n);
    W("    .feedforward = %s_feedforward_any,\n    .loss = %s_loss_any,\n", n, n);
    W("    .train_sample = %s_train_sample_any,\n", n);
    if (!e->single)
        W("    .train_epoch = %s_train_epoch_any,\n", n);
    W("    .backprop = %s_backprop_any,\n", n);
    W("    .update = %s_update_any,\n", n);
    W("    .optimizer = %s,\n", opt_enum[s->optimizer]);
    if (s->nesterov)
        W("    .nesterov = 1,\n");
    if (pre[0] != NULL) {
        W("    .state_size = sizeof(struct %s_optimizer),\n", n);
        W("    .nstate = %d,\n", net->nparams * (pre[1] != NULL ? 2 : 1));
        W("    .state_prefix = {\"%s\"%s%s%s},\n", pre[0], pre[1] ? ", \"" : "", pre[1] ? pre[1] : "",
          pre[1] ? "\"" : "");
        W("    .state_get = %s_state_get,\n    .state_set = %s_state_set,\n", n, n);
    }
    emit_training_fields(e);
    if (s->init_fixed != NULL)
        W("    .init_value = %s_init_value,\n    .init_fixed = %s_init_fixed,\n", n, n);
    if (s->ndata > 0)
        W("    .ndata = %d,\n    .data = %s_data,\n", s->ndata, n);
    if (s->ntest > 0)
        W("    .ntest = %d,\n    .test = %s_test,\n", s->ntest, n);
    if (s->npredict > 0)
        W("    .npredict = %d,\n    .predict_name = %s_predict_name,\n    .predict_x = %s_predict_x,\n",
          s->npredict, n, n);
    emit_validation(e, s);
    if (net->has_maps)
        W("    .layer_fan = %s_layer_fan,\n", n);
    if (s->nclasses > 0)
        W("    .nclasses = %d,\n    .class_name = %s_class_name,\n", s->nclasses, n);
    if (net->has_maps)
        W("    .layer_map = %s_layer_map,\n    .layer_act = %s_layer_act,\n", n, n);
    W("};\n\n");

    W("/* The program: nnrt_main reads the options, trains and reports. */\n");
    W("#ifndef NNC_NO_MAIN\n");
    W("int main(int argc, char **argv)\n{\n");
    W("    return nnrt_main(&%s_net, argc, argv);\n}\n", n);
    W("#endif\n");
}

