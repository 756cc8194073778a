package io.qwen4j.cli;

/** A command-line input the user must fix; its message is shown as it is. */
final class UserInputException extends RuntimeException {

    UserInputException(String message) {
        super(message);
    }
}
