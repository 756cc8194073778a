package io.qwen4j.cli;

import io.qwen4j.core.model.KVCacheType;
import io.qwen4j.core.model.Model;
import io.qwen4j.core.model.Session;
import picocli.CommandLine.Option;

/** The KV cache type, for the commands that open one session (generate, chat). */
final class CacheOptions {

    @Option(names = {"-ctk", "--cache-type"}, paramLabel = "TYPE",
            description = "KV cache type: f16 (default, half the memory) or f32")
    String cacheType;

    /** A session of the requested context and cache type. */
    Session newSession(Model model, RuntimeOptions runtime) {
        KVCacheType type = Model.DEFAULT_CACHE_TYPE;
        if (cacheType != null) {
            type = switch (cacheType.toLowerCase(java.util.Locale.ROOT)) {
                case "f16" -> KVCacheType.F16;
                case "f32" -> KVCacheType.F32;
                default -> throw new UserInputException("--cache-type must be f16 or f32, got '" + cacheType + "'");
            };
        }
        return model.newSession(runtime.contextLength(model), type);
    }

}
