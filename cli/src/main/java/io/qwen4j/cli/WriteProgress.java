package io.qwen4j.cli;

import io.qwen4j.core.convert.ConversionProgress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar in MB on stderr while a file is written, when stderr is a terminal; nothing otherwise. */
final class WriteProgress implements ConversionProgress, AutoCloseable {

    private final ProgressBar bar;
    private long shown;

    private WriteProgress(ProgressBar bar) {
        this.bar = bar;
    }

    static WriteProgress start(String task) {
        var console = System.console();
        if (console == null || !console.isTerminal()) {
            return new WriteProgress(null);
        }
        return new WriteProgress(new ProgressBarBuilder().setTaskName(task).setInitialMax(1)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1 << 20).showSpeed().build());
    }

    /** Called from the worker threads: keeps the bar moving forward only. */
    @Override
    public synchronized void update(long doneBytes, long totalBytes) {
        if (bar != null && doneBytes >= shown) {
            shown = doneBytes;
            bar.maxHint(totalBytes);
            bar.stepTo(doneBytes);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
