package io.s4e.gateway;

import io.s4e.gateway.inject.InjectCommand;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static void main(String[] args) {
        if (InjectCommand.handles(args)) {
            // a command-line tool, answered before (and without) Spring: nothing of the gateway starts
            System.exit(InjectCommand.run(args, System.in, System.out, System.err));
        }
        SpringApplication.run(GatewayApplication.class, args);
    }
}
